import { splitTensor } from './tensor-input';

describe('tensor inputs', () => {
  it('splits a batch into items of the model shape', () => {
    const items = splitTensor(new Array(2 * 784).fill(0.5), [2, 28, 28], [28, 28]);
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveLength(784);
  });

  it('replicates grey items into the three channels of an RGB model', () => {
    const data = Array.from({ length: 784 }, (_, i) => (i === 0 ? 1 : 0));
    const [item] = splitTensor(data, [1, 28, 28], [28, 28, 3]);
    expect(Array.from(item!.subarray(0, 4))).toEqual([1, 1, 1, 0]);
  });

  it('refuses a shape that does not fit, a count that does not match and values outside [0, 1]', () => {
    expect(() => splitTensor([0.1, 0.2], [1, 2], [28, 28])).toThrow(/does not fit the model input/);
    expect(() => splitTensor([0.1], [1, 28, 28], [28, 28])).toThrow(/needs 784/);
    expect(() => splitTensor(new Array(784).fill(255), [1, 28, 28], [28, 28])).toThrow(/in \[0, 1\]/);
  });
});
