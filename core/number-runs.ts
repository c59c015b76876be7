/** Whole numbers written as runs, for messages: `[1, 2, 3, 7]` → `1-3,7`. */
export function numberRuns(numbers: Iterable<number>, separator = ','): string {
  const list = [...numbers].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j]! + 1) j++;
    runs.push(j === i ? `${list[i]}` : `${list[i]}-${list[j]}`);
    i = j + 1;
  }
  return runs.join(separator);
}
