import { DataError, ShapeError, formatShape } from "../errors.js";
import { broadcastShapes, broadcastStrides, sizeOf } from "../layout.js";
import { checkOut } from "./out.js";
import { NDArray } from "../ndarray.js";
import { denseBackwardWasm, gemmWasm, wasmGemmAvailable } from "./fastgemm/wasm.js";
import { denseBackwardNative, gemmNative, nativeKernels } from "./fastgemm/native.js";
import type { StridedMatrix } from "./fastgemm/strided-matrix.js";

export type { StridedMatrix };

/**
 * Whether the SIMD kernel pays for copying its operands in and the result out. Since it
 * needs no padding it wins from a few hundred multiply-adds whatever the shape, even k = 1
 * or n = 1 (measured: 900×2·2×25 in 99 µs against 227 µs for the scalar loop); below
 * that the call overhead dominates.
 */
export function worthWasm(m: number, n: number, k: number): boolean {
  return m * n * k >= 256;
}

/**
 * The GEMM kernels, fastest first: the native kernels (Node on x86-64 with AVX-512 or AVX2, where
 * `pnpm build` compiled them; the same bits as "fma"), WebAssembly relaxed SIMD with fused
 * multiply-adds (results within a few units in the last place of the others), WebAssembly
 * SIMD and the scalar reference in JavaScript (these two equal bit for bit).
 */
export type GemmKernel = "native" | "fma" | "simd" | "scalar";

let chosen: GemmKernel | undefined;

/** The kernel matrix products run on here: the fastest this engine supports, unless `setGemmKernel` chose another. */
export function gemmKernel(): GemmKernel {
  return chosen ?? (nativeKernels() ? "native" : wasmGemmAvailable("fma") ? "fma" : wasmGemmAvailable("simd") ? "simd" : "scalar");
}

/**
 * Runs matrix products on `kernel` from now on (to compare kernels or test one against
 * another); returns the kernel used before.
 * @throws DataError when this engine cannot run that kernel.
 */
export function setGemmKernel(kernel: GemmKernel): GemmKernel {
  const previous = gemmKernel();
  const runs = kernel === "scalar" || (kernel === "native" ? nativeKernels() !== null : (kernel === "simd" || kernel === "fma") && wasmGemmAvailable(kernel));
  if (!runs) {
    throw new DataError(`setGemmKernel: the ${String(kernel)} kernel cannot run here`);
  }
  chosen = kernel;
  return previous;
}

/**
 * C[m×n] = A[m×k] · B[k×n] (+ bias[n] on every row, then ReLU when `relu`) for strided
 * operands, written into `c` (contiguous rows of n) at `cOffset`: the WebAssembly kernel
 * for all but tiny products, else (or where WebAssembly SIMD is missing) the scalar
 * reference. Each element is summed over k in order, then its bias is added.
 */
export function gemmStrided(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, c: Float64Array, cOffset: number, bias?: Float64Array, relu = false): void {
  const kernel = gemmKernel();
  if (kernel !== "scalar" && k > 0 && worthWasm(m, n, k) && (kernel === "native" ? gemmNative(m, n, k, a, b, c, cOffset, bias, relu) : gemmWasm(kernel, m, n, k, a, b, c, cOffset, bias, relu))) return;
  gemmReference(m, n, k, a, b, c, cOffset, bias, relu);
}

/**
 * The scalar GEMM: the fallback and the oracle of the fast kernel. Transposed operands are
 * read through their strides; nothing is copied. The loop order follows the layout: when
 * B's rows are contiguous the inner loop is an axpy over a row of B (ikj), else a dot
 * product along k (ijk). Either way each element is summed over k in order, then the bias
 * (if any) is added; with `relu`, negative results become 0 (NaN stays NaN).
 */
export function gemmReference(m: number, n: number, k: number, matrixA: StridedMatrix, matrixB: StridedMatrix, c: Float64Array, cOffset: number, bias?: Float64Array, relu = false): void {
  gemmSums(m, n, k, matrixA, matrixB, c, cOffset, bias);
  // max(v, 0) with NaN kept, as kernels.relu.
  if (relu) for (let i = cOffset, end = cOffset + m * n; i < end; i++) if (!(c[i]! > 0) && c[i] === c[i]) c[i] = 0;
}

/** The sums of `gemmReference` (then the bias), before any ReLU. */
function gemmSums(m: number, n: number, k: number, matrixA: StridedMatrix, matrixB: StridedMatrix, c: Float64Array, cOffset: number, bias?: Float64Array): void {
  const { data: a, offset: aOffset, rowStride: aRowStride, colStride: aColStride } = matrixA;
  const { data: b, offset: bOffset, rowStride: bRowStride, colStride: bColStride } = matrixB;
  if (bColStride === 1) {
    for (let i = 0; i < m; i++) {
      const cRow = cOffset + i * n;
      for (let j = 0; j < n; j++) c[cRow + j] = 0;
      const aRow = aOffset + i * aRowStride;
      for (let p = 0; p < k; p++) {
        const aip = a[aRow + p * aColStride]!;
        const bRow = bOffset + p * bRowStride;
        for (let j = 0; j < n; j++) c[cRow + j]! += aip * b[bRow + j]!;
      }
      if (bias) for (let j = 0; j < n; j++) c[cRow + j]! += bias[j]!;
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * aRowStride;
    for (let j = 0; j < n; j++) {
      let s = 0;
      const bCol = bOffset + j * bColStride;
      for (let p = 0; p < k; p++) s += a[aRow + p * aColStride]! * b[bCol + p * bRowStride]!;
      c[cOffset + i * n + j] = bias ? s + bias[j]! : s;
    }
  }
}

/**
 * Matrix product with numpy/PyTorch rules: 1-D operands are promoted to a row (left) or a
 * column (right) and the added dimension is dropped again; leading (batch) dimensions
 * broadcast. `[m,k] @ [k,n] → [m,n]`, `[…,m,k] @ […,k,n] → […,m,n]`.
 * With `out` (contiguous, of the result's shape, sharing memory with neither operand) the
 * product is written there.
 * @throws ShapeError for 0-d operands, mismatched inner sizes, batch shapes that do not
 * broadcast, or an `out` that does not fit.
 */
export function matmul(a: NDArray, b: NDArray, out?: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both operands need at least 1 dimension, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  const m = a2.shape[a2.ndim - 2]!;
  const k = a2.shape[a2.ndim - 1]!;
  const k2 = b2.shape[b2.ndim - 2]!;
  const n = b2.shape[b2.ndim - 1]!;
  if (k !== k2) {
    throw new ShapeError(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: inner sizes ${k} and ${k2} differ`);
  }
  let batch: number[];
  try {
    batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), "matmul");
  } catch {
    throw new ShapeError(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: batch dimensions do not broadcast`);
  }
  const batchSize = sizeOf(batch);
  const shape = [...batch];
  if (a.ndim > 1) shape.push(m);
  if (b.ndim > 1) shape.push(n);
  const result = out === undefined ? NDArray.empty(shape) : gemmOut("matmul", out, shape, a, b);
  const c = result.data;
  const aStrides = broadcastStrides(a2.shape, a2.strides, [...batch, m, k]);
  const bStrides = broadcastStrides(b2.shape, b2.strides, [...batch, k, n]);
  const nb = batch.length;
  const index = new Array<number>(nb).fill(0);
  for (let t = 0; t < batchSize; t++) {
    let ao = a2.offset;
    let bo = b2.offset;
    for (let d = 0; d < nb; d++) {
      ao += index[d]! * aStrides[d]!;
      bo += index[d]! * bStrides[d]!;
    }
    const left = { data: a2.data, offset: ao, rowStride: aStrides[nb]!, colStride: aStrides[nb + 1]! };
    const right = { data: b2.data, offset: bo, rowStride: bStrides[nb]!, colStride: bStrides[nb + 1]! };
    gemmStrided(m, n, k, left, right, c, result.offset + t * m * n);
    for (let d = nb - 1; d >= 0; d--) {
      if (++index[d]! < batch[d]!) break;
      index[d] = 0;
    }
  }
  return result;
}

/**
 * y = x·Wᵀ + b, the forward of a dense layer, as one GEMM that adds the bias to each sum
 * before storing it (the order PyTorch's addmm rounds in):
 * `[…, in] × [out, in] (+ [out]) → […, out]`. W is read transposed through its strides;
 * nothing is copied. With `out` (contiguous, of the result's shape, sharing memory with no
 * operand) the result is written there.
 * @throws ShapeError when the sizes or `out` do not fit.
 */
export function linear(x: NDArray, weight: NDArray, bias?: NDArray, out?: NDArray): NDArray {
  return dense("linear", x, weight, bias, out, false);
}

/**
 * max(x·Wᵀ + b, 0), a dense layer followed by ReLU, as one GEMM whose epilogue adds the
 * bias and then applies ReLU before storing (equal to `relu(linear(x, weight, bias))` bit
 * for bit: NaN stays NaN, −0 becomes 0): `[…, in] × [out, in] (+ [out]) → […, out]`.
 * With `out` the result is written there, as for `linear`.
 * @throws ShapeError when the sizes or `out` do not fit.
 */
export function linearRelu(x: NDArray, weight: NDArray, bias?: NDArray, out?: NDArray): NDArray {
  return dense("linearRelu", x, weight, bias, out, true);
}

function dense(op: string, x: NDArray, weight: NDArray, bias: NDArray | undefined, out: NDArray | undefined, relu: boolean): NDArray {
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError(`${op}: input ${formatShape(x.shape)} does not fit weight ${formatShape(weight.shape)} (expected [..., in] and [out, in])`);
  }
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`${op}: bias ${formatShape(bias.shape)} does not fit weight ${formatShape(weight.shape)} (expected [${outFeatures}])`);
  }
  const rows = sizeOf(x.shape.slice(0, -1));
  const x2 = x.reshape([rows, inFeatures]);
  const shape = [...x.shape.slice(0, -1), outFeatures];
  const result = out === undefined ? NDArray.empty(shape) : gemmOut(op, out, shape, x, weight, ...(bias ? [bias] : []));
  const left = { data: x2.data, offset: x2.offset, rowStride: x2.strides[0]!, colStride: x2.strides[1]! };
  // Wᵀ: swapping W's strides reads it transposed.
  const right = { data: weight.data, offset: weight.offset, rowStride: weight.strides[1]!, colStride: weight.strides[0]! };
  gemmStrided(rows, outFeatures, inFeatures, left, right, result.data, result.offset, bias?.values(), relu);
  return result;
}

/** The gradients of a dense layer's inputs, each present when it was asked for. */
export interface LinearGradients {
  /** ∂x, of x's shape `[…, in]`. */
  readonly input?: NDArray;
  /** ∂W, `[out, in]`. */
  readonly weight?: NDArray;
  /** ∂b, `[out]`. */
  readonly bias?: NDArray;
}

/**
 * The backward of z = linear(x, W, b) for 2-D x, from g = ∂L/∂z, in one visit to the
 * WebAssembly kernel: ∂x = g·W, ∂W = gᵀ·x, ∂b = Σ_rows g, each equal bit for bit to what
 * `matmul` and `sum` compute. g `[rows, out]` (contiguous), x `[rows, in]` (needed for
 * ∂W), W `[out, in]` (needed for ∂x) of shape `weightShape`; `needs` says which of ∂x, ∂W,
 * ∂b to compute. Returns null where that identity would not hold or the kernel would not
 * pay: on the scalar kernel, for other ranks, empty shapes or a strided g, or when a
 * product is small enough for matmul to take the scalar path; the caller then composes
 * the ops.
 */
export function linearBackward(g: NDArray, x: NDArray | undefined, weight: NDArray | undefined, weightShape: readonly number[], needs: readonly boolean[]): LinearGradients | null {
  return denseBackward(g, undefined, x, weight, weightShape, needs);
}

/**
 * The backward of y = linearRelu(x, W, b) for 2-D x, from g = ∂L/∂y: as `linearBackward`
 * on ∂z = g·[y > 0] (passWherePositive's rule), the mask applied inside the kernel's
 * memory. y `[rows, out]` is linearRelu's output.
 */
export function linearReluBackward(g: NDArray, y: NDArray, x: NDArray | undefined, weight: NDArray | undefined, weightShape: readonly number[], needs: readonly boolean[]): LinearGradients | null {
  return denseBackward(g, y, x, weight, weightShape, needs);
}

function denseBackward(g: NDArray, y: NDArray | undefined, x: NDArray | undefined, weight: NDArray | undefined, weightShape: readonly number[], needs: readonly boolean[]): LinearGradients | null {
  const kernel = gemmKernel();
  const [outFeatures, inFeatures] = weightShape as [number, number];
  const rows = g.shape[0]!;
  // matmul's scalar path and sum's order over a strided g would round differently.
  if (kernel === "scalar" || g.ndim !== 2 || !g.isContiguous() || rows === 0 || outFeatures === 0 || inFeatures === 0) return null;
  if ((needs[0] && !worthWasm(rows, inFeatures, outFeatures)) || (needs[1] && !worthWasm(outFeatures, inFeatures, rows))) return null;
  const matrix = (a: NDArray | undefined): StridedMatrix => (a === undefined ? { data: g.data, offset: 0, rowStride: 0, colStride: 0 } : { data: a.data, offset: a.offset, rowStride: a.strides[0]!, colStride: a.strides[1]! });
  const input = needs[0] ? NDArray.empty([rows, inFeatures]) : undefined;
  const gradWeight = needs[1] ? NDArray.empty([outFeatures, inFeatures]) : undefined;
  const bias = needs[2] ? NDArray.empty([outFeatures]) : undefined;
  const into = { input: input?.data ?? null, weight: gradWeight?.data ?? null, bias: bias?.data ?? null };
  const done = kernel === "native" ? denseBackwardNative(rows, outFeatures, inFeatures, matrix(g), y ? matrix(y) : null, matrix(x), matrix(weight), into) : denseBackwardWasm(kernel, rows, outFeatures, inFeatures, matrix(g), y ? matrix(y) : null, matrix(x), matrix(weight), into);
  if (!done) return null;
  return { ...(input && { input }), ...(gradWeight && { weight: gradWeight }), ...(bias && { bias }) };
}

/** `out` checked to take a GEMM's result: contiguous, of `shape`, apart from every operand it reads. */
function gemmOut(op: string, out: NDArray, shape: readonly number[], ...operands: NDArray[]): NDArray {
  checkOut(op, out, shape);
  if (operands.some((x) => x.storage === out.storage)) throw new ShapeError(`${op}: out must not share memory with an operand, which the product still reads`);
  return out;
}
