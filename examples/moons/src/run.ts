import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor, noGrad } from "@tapegrad/autograd";
import { saveSafetensors } from "@tapegrad/nn";
import { NDArray } from "@tapegrad/tensor";
import type { TrainOptions } from "./options.js";
import { Progress } from "./progress.js";
import { decisionBoundarySvg, lossCurvesSvg, type LabelledPoint } from "./svg.js";
import { train, type TrainResult } from "./train.js";

/** Paths of the files a run writes. */
export interface Outputs {
  boundary: string;
  curves: string;
  weights: string;
}

/** Every point of a data set with its label, for plotting. */
function labelled(set: { X: Tensor; y: Tensor }): LabelledPoint[] {
  const X = set.X.toFloat64Array();
  const y = set.y.toFloat64Array();
  return Array.from(y, (label, i) => ({ x: X[2 * i]!, y: X[2 * i + 1]!, label }));
}

/** Trains, reports progress to `log`, and writes the pictures and weights into `o.out`. */
export function run(o: TrainOptions, log: (line: string) => void = console.log, progress?: Progress): { result: TrainResult; outputs: Outputs } {
  const bar = progress ?? new Progress(o.epochs);
  const result = train(o, (epoch, h) => {
    const i = h.epoch.length - 1;
    if (i >= 0 && h.epoch[i] === epoch) bar.update(epoch, h.loss[i]!, h.trainAccuracy[i]!, h.testAccuracy[i]!);
  });
  mkdirSync(o.out, { recursive: true });
  const outputs: Outputs = {
    boundary: join(o.out, "decision-boundary.svg"),
    curves: join(o.out, "loss.svg"),
    weights: join(o.out, "model.safetensors"),
  };
  const points = [...labelled(result.train), ...labelled(result.test)];
  const probability = (grid: Float64Array, count: number) =>
    noGrad(() => result.model.forward(new Tensor(new NDArray(grid, [count, 2]))).toFloat64Array());
  const title = `${o.dataset}: test accuracy ${(result.testAccuracy * 100).toFixed(1)}%`;
  writeFileSync(outputs.boundary, decisionBoundarySvg(points, probability, { title }));
  writeFileSync(outputs.curves, lossCurvesSvg(result.history, `${o.dataset}, 2-${o.hidden.join("-")}-1, ${o.optimizer} lr ${o.lr}`));
  saveSafetensors(outputs.weights, result.model.stateDict(), { metadata: { network: `2-${o.hidden.join("-")}-1`, dataset: o.dataset } });
  const stepsPerEpoch = o.batchSize === 0 ? 1 : Math.ceil(result.train.X.shape[0]! / o.batchSize);
  log(
    [
      `train accuracy ${(result.trainAccuracy * 100).toFixed(1)}%, test accuracy ${(result.testAccuracy * 100).toFixed(1)}%`,
      `training time ${result.seconds.toFixed(2)} s for ${o.epochs} epochs (${(o.epochs / result.seconds).toFixed(0)} epochs/s, ${stepsPerEpoch} step${stepsPerEpoch > 1 ? "s" : ""} per epoch)`,
      `wrote ${outputs.boundary}, ${outputs.curves}, ${outputs.weights}`,
    ].join("\n"),
  );
  return { result, outputs };
}
