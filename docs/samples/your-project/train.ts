import { Tensor, noGrad, tensor } from "@tapegrad/autograd";
import { Dense, MSELoss, Sequential, Tanh, optim } from "@tapegrad/nn";

// Fit y = sin(x) on [−3, 3] with a 1-32-1 tanh network.
const xs = Array.from({ length: 64 }, (_, i) => -3 + (6 * i) / 63);
const x: Tensor = tensor(xs.map((v) => [v]));
const y: Tensor = x.sin();
const model = new Sequential(new Dense(1, 32), new Tanh(), new Dense(32, 1));
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const lossFn = new MSELoss();
for (let step = 0; step < 1500; step++) {
  optimizer.zeroGrad();
  lossFn.forward(model.forward(x), y).backward();
  optimizer.step();
}
const loss: number = noGrad(() => lossFn.forward(model.forward(x), y).item());
console.log(`final loss ${loss.toExponential(2)}`);
