export function generateTables(): string;
