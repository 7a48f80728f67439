/** What every example's argument parser returns: its help text, the problems found, or what to run. */
export type ParsedArgs<Run> = { kind: "help"; text: string } | { kind: "error"; problems: string[] } | Run;

/**
 * Settles help and errors the same way in every example's CLI: prints the help text and
 * returns null, or prints each problem and `hint` to stderr and exits with code 1;
 * otherwise returns what to run.
 */
export function runnable<Run extends { kind: "run" }>(parsed: ParsedArgs<Run>, hint: string): Run | null {
  if (parsed.kind === "help") {
    console.log(parsed.text);
    return null;
  }
  if (parsed.kind === "error") {
    for (const problem of parsed.problems) console.error(`error: ${problem}`);
    console.error(hint);
    process.exit(1);
  }
  return parsed;
}
