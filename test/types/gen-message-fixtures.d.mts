export function errorFixture(): string;
export function shapeFixture(): string;
export function tsdFixture(): string;
