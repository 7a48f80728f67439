import type { OpInfo } from "../op-info-kit.js";

/** Entries of the elementwise ops (see op-info-kit.ts for what an entry says). */
export const elementwiseInfos: readonly OpInfo[] = [];
