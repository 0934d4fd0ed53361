/** Whether a plain record has no enumerable keys, without building the list of them. */
export function isEmptyRecord(record: object): boolean {
  for (const _ in record) return false;
  return true;
}
