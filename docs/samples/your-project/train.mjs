import { noGrad } from "@tapegrad/autograd";
import { BCEWithLogitsLoss, Dense, ReLU, Sequential, data, optim } from "@tapegrad/nn";

const { train, test } = data.trainTestSplit(data.makeMoons({ nSamples: 400, noise: 0.1, seed: 0 }), { testSize: 0.25, seed: 0 });
const model = new Sequential(new Dense(2, 16), new ReLU(), new Dense(16, 16), new ReLU(), new Dense(16, 1));
const lossFn = new BCEWithLogitsLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
for (let step = 0; step < 300; step++) {
  optimizer.zeroGrad();
  lossFn.forward(model.forward(train.X), train.y).backward();
  optimizer.step();
}
const accuracy = noGrad(() => model.forward(test.X).gt(0).eq(test.y).mean().item());
console.log(`test accuracy ${(accuracy * 100).toFixed(1)}%`);
