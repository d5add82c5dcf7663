import { renderKeyValues, renderTable } from './table';

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    const text = renderTable(
      [
        { header: 'INSTANCE', value: (r: { id: string; n: number }) => r.id },
        { header: 'APPLIED', value: (r) => r.n, align: 'right' },
      ],
      [
        { id: 'turing-a', n: 5 },
        { id: 't-b', n: 1234 },
      ],
    );
    expect(text).toBe(['INSTANCE  APPLIED', '--------  -------', 'turing-a        5', 't-b          1234', ''].join('\n'));
  });

  it('shows missing values as a dash and an empty table as header only', () => {
    expect(renderTable([{ header: 'A', value: () => undefined }], [{}])).toBe('A\n-\n-\n');
    expect(renderTable([{ header: 'A', value: () => 1 }], [])).toBe('A\n-\n');
  });
});

describe('renderKeyValues', () => {
  it('aligns values', () => {
    expect(renderKeyValues([['messages', 3], ['first sequence', 1], ['leader', null]])).toBe(
      'messages:       3\nfirst sequence: 1\nleader:         -\n',
    );
  });
});
