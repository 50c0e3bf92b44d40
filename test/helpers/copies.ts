/** How many times `fn` copies `source` with Float32Array.prototype.set (the fast calls' copies into
 * their memory): 0 when a call read `source` in place. */
export function copiesOf(source: Float32Array, fn: () => void): number {
  const set = Float32Array.prototype.set;
  let copies = 0;
  Float32Array.prototype.set = function (this: Float32Array, from: ArrayLike<number>, offset?: number) {
    if (from === source) copies++;
    set.call(this, from, offset);
  };
  try {
    fn();
  } finally {
    Float32Array.prototype.set = set;
  }
  return copies;
}
