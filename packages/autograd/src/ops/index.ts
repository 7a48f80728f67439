// Installs every op family's methods on Tensor.prototype. The package index imports this
// once, after tensor.ts; the families' side effects are why package.json lists them.
import "./arithmetic.js";
import "./unary.js";
import "./matmul.js";
import "./reduce.js";
import "./compare.js";
import "./shape.js";
import "./inplace.js";
import "./indexing.js";
import "./sorting.js";
import "./statistics.js";
import "./activations.js";
import "./split.js";
