/** The type-level arithmetic (types/arith): exact results, visible negatives, readable errors. */
import { expectType } from "tsd";
import type { Add, Compare, Div, Eq, Gt, Gte, Lt, Lte, Max, Min, Mod, Mul, Sub } from "../types/arith/index.js";

declare function value<T>(): T;

expectType<9007199254740991>(value<Add<9007199254740990, 1>>());
expectType<0>(value<Add<0, 0>>());
expectType<11 | 12>(value<Add<1 | 2, 10>>());
expectType<number>(value<Add<number, 1>>());
expectType<"arithmetic: the result 9007199254740992 is larger than 9007199254740991">(
  value<Add<9007199254740991, 1>>(),
);

expectType<-2>(value<Sub<3, 5>>());
expectType<-9007199254740991>(value<Sub<0, 9007199254740991>>());
expectType<999>(value<Sub<1000, 1>>());

expectType<9007194959773696>(value<Mul<4294967296, 2097151>>());
expectType<0>(value<Mul<0, 9007199254740991>>());
expectType<"arithmetic: the result 18014398509481982 is larger than 9007199254740991">(
  value<Mul<9007199254740991, 2>>(),
);

expectType<3>(value<Div<17, 5>>());
expectType<2>(value<Mod<17, 5>>());
expectType<729583199>(value<Div<9007199254740991, 12345678>>());
expectType<5677069>(value<Mod<9007199254740991, 12345678>>());
expectType<"arithmetic: 5 divided by zero">(value<Div<5, 0>>());

expectType<1>(value<Compare<10, 9>>());
expectType<-1>(value<Compare<9007199254740990, 9007199254740991>>());
expectType<0>(value<Compare<42, 42>>());
expectType<true>(value<Lt<3, 4>>());
expectType<false>(value<Gt<3, 4>>());
expectType<true>(value<Lte<4, 4>>());
expectType<true>(value<Gte<4, 4>>());
expectType<false>(value<Eq<4, 5>>());
expectType<7>(value<Max<3, 7>>());
expectType<3>(value<Min<3, 7>>());

expectType<"arithmetic: 1.5 is not an integer in 0..9007199254740991">(value<Add<1.5, 1>>());
expectType<"arithmetic: -3 is not an integer in 0..9007199254740991">(value<Mul<2, -3>>());
expectType<"arithmetic: 1e+21 is not an integer in 0..9007199254740991">(value<Sub<1e21, 1>>());
expectType<"arithmetic: 9007199254740992 is not an integer in 0..9007199254740991">(value<Div<9007199254740992, 2>>());
