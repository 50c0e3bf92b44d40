// A consumer's `import "shapegrad"` and nothing else: the built package's entry (what its exports
// map names; bench/ is its own package scope, so the path is relative), checked as a consumer's tsc
// does by default, without skipLibCheck: the cost of shapegrad's declaration files. Its baseline
// is empty.ts, compiled with the same options.
import * as shapegrad from "../../dist/src/index.js";

export { shapegrad };
