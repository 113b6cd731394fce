export { parseIdx, readIdx } from './idx';
export type { IdxArray } from './idx';
export { loadMnistTest, loadFashionMnistTest } from './mnist';
export type { ImageSet } from './mnist';
export { loadMnistTrain } from './mnist-train';
export { toModelInput } from './model-input';
