// The option checks live in @tapegrad/tensor so that every package rejects unknown keys
// the same way; nn's modules import them from here.
export { checkOptions, checkBoolean, checkBoolean as optionalBoolean, optionalNumber, suggestName } from "@tapegrad/tensor";
