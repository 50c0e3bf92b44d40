import { randn, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { convNormAct, convNorm, SqueezeExcitation, type ChannelMap } from "../../src/models/layers.js";
class IR<Cin extends number, Cout extends number> extends nn.Module {
  conv: ChannelMap<Cin, Cout>;
  constructor(cin: Cin, cout: Cout, hidden: number) {
    super();
    this.conv = hidden === cin ? nn.Sequential(convNormAct(cin, hidden, 3, nn.ReLU6(), { groups: hidden }), convNorm(hidden, cout, 1))
      : nn.Sequential(convNormAct(cin, hidden, 1, nn.ReLU6()), convNormAct(hidden, hidden, 3, nn.ReLU6(), { groups: hidden }), convNorm(hidden, cout, 1));
  }
  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(x: Tensor<[N, Cin, number, number], D, Dev>) {
    return this.conv.forward(x);
  }
}
const se = new SqueezeExcitation(16, 8);
const y = se.forward(randn([2, 16, 5, 5]));
const ir = new IR(16, 24, 96);
const z = ir.forward(randn([2, 16, 5, 5]));
const s = nn.Sequential(ir, new IR(24, 32, 100));
const w = s.forward(randn([2, 16, 5, 5]));
export const check: [Tensor<[2, 16, number, number]>, Tensor<[2, 24, number, number]>, Tensor<[2, 32, number, number]>] = [y, z, w];
