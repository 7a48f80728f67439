/** The networks `pnpm explain --model` can take apart. */
export type ExplainModel = "moons" | "digits" | "names";

/** What the command line needs to know of each network. */
export interface ModelInfo {
  /** One line for --help: the network, its data and its loss. */
  description: string;
  /** Default folder for graph.svg and trace.json. */
  out: string;
  /** What `--samples` counts, in the plural (`moons points`). */
  samplesAre: string;
  defaultSamples: number;
  /** Fewest samples the network can take one training-mode step on. */
  minSamples: number;
  /**
   * Most samples: explain shows one batch to read, and with --values trace.json keeps every
   * gradient element, which grows with the batch times the widest layer (the convnet's first
   * feature maps are 4,608 values per digit); at these bounds it stays under about 20 MB.
   */
  maxSamples: number;
}

/** The networks, in the order --help lists them. */
export const models: Record<ExplainModel, ModelInfo> = {
  moons: {
    description: "the tutorials' 2-25-50-50-25-1 network on moons points, BCE",
    out: "out/explain-backprop",
    samplesAre: "moons points",
    defaultSamples: 4,
    minSamples: 1,
    maxSamples: 1000,
  },
  digits: {
    description: "the digits example's LeNet-style convnet on MNIST digits, cross-entropy",
    out: "out/explain-backprop/digits",
    samplesAre: "digits",
    defaultSamples: 4,
    minSamples: 1,
    maxSamples: 32,
  },
  names: {
    description: "the names example's MLP (embedding, batch norm, tanh) on name windows, cross-entropy",
    out: "out/explain-backprop/names",
    samplesAre: "context windows",
    defaultSamples: 4,
    // Batch norm in training needs two values per feature.
    minSamples: 2,
    maxSamples: 256,
  },
};

/** The names of the networks, as --model takes them. */
export const modelNames = Object.keys(models) as ExplainModel[];

/**
 * Checks a batch size against the network's bounds.
 * @throws Error naming the model, the bounds and the value.
 */
export function checkSamples(model: ExplainModel, samples: number): void {
  const { minSamples, maxSamples, samplesAre } = models[model];
  if (!Number.isInteger(samples) || samples < minSamples || samples > maxSamples) {
    throw new Error(`explain ${model}: samples must be an integer from ${minSamples} to ${maxSamples} (${samplesAre} in the batch), got ${samples}`);
  }
}
