import { DataError } from "@tapegrad/tensor";
import { constantId, type Node } from "../node.js";
import { Tensor } from "../tensor.js";

/**
 * Anything that lists named tensors the way a `Module` of `@tapegrad/nn` does: its
 * parameters (`"0.weight"`, `"2.bias"`) and, when it has them, its buffers.
 */
export interface NamedTensorSource {
  /** `[dotted name, parameter]` pairs, as `Module.namedParameters()`. */
  namedParameters(): Iterable<readonly [string, Tensor]>;
  /** `[dotted name, buffer]` pairs, as `Module.namedBuffers()`. */
  namedBuffers?(): Iterable<readonly [string, Tensor]>;
}

/**
 * Names for the tensors of a graph, as the study tools accept them: a model (its
 * parameters and buffers get their dotted names), a record `{ X, Y, h1 }` or a
 * `Map<Tensor, string>`. A named non-leaf (an intermediate such as `h1`) names the op
 * that produced it.
 */
export type TensorNames = NamedTensorSource | Record<string, Tensor> | Map<Tensor, string>;

/** Resolved names: of leaves, of constant inputs (by their `constantId`), of the ops' outputs. */
export interface Naming {
  tensor(t: Tensor): string | undefined;
  constant(id: number): string | undefined;
  node(n: Node): string | undefined;
}

function isSource(names: object): names is NamedTensorSource {
  return typeof (names as NamedTensorSource).namedParameters === "function";
}

/**
 * Turns the `names` option of a study tool into lookups.
 * @throws DataError naming `op` when names is none of the accepted forms or holds something other than tensors.
 */
export function resolveNames(names: unknown, op: string): Naming {
  const byTensor = new Map<Tensor, string>();
  const byNode = new Map<Node, string>();
  const byId = new Map<number, string>();
  const add = (name: unknown, t: unknown, where: string): void => {
    if (!(t instanceof Tensor)) throw new DataError(`${op}: names${where} is not a Tensor`);
    if (typeof name !== "string") throw new DataError(`${op}: names${where} must be named by a string`);
    // The first name wins, as namedParameters lists a shared tensor once, under its first name.
    if (t.gradFn) {
      if (!byNode.has(t.gradFn)) byNode.set(t.gradFn, name);
    } else if (!byTensor.has(t)) byTensor.set(t, name);
    const id = constantId(t);
    if (!byId.has(id)) byId.set(id, name);
  };
  if (names === undefined) {
    // nothing to name
  } else if (names instanceof Map) {
    for (const [t, name] of names) add(name, t, ` (a Map entry named ${JSON.stringify(name)})`);
  } else if (typeof names === "object" && names !== null && !Array.isArray(names) && !(names instanceof Tensor)) {
    if (isSource(names)) {
      for (const [name, t] of names.namedParameters()) add(name, t, `.namedParameters() entry ${JSON.stringify(name)}`);
      if (typeof names.namedBuffers === "function") for (const [name, t] of names.namedBuffers()) add(name, t, `.namedBuffers() entry ${JSON.stringify(name)}`);
    } else {
      for (const [name, t] of Object.entries(names)) add(name, t, `.${name}`);
    }
  } else {
    throw new DataError(
      `${op}: names must be a model (with namedParameters()), a record such as { X, Y } or a Map<Tensor, string>, got ${
        names === null ? "null" : Array.isArray(names) ? "an array" : names instanceof Tensor ? "a Tensor" : typeof names
      }`,
    );
  }
  return { tensor: (t) => byTensor.get(t), constant: (id) => byId.get(id), node: (n) => byNode.get(n) };
}
