import type { OpInfo } from "../op-info-kit.js";

/** Entries of the shape ops (see op-info-kit.ts for what an entry says). */
export const shapeInfos: readonly OpInfo[] = [];
