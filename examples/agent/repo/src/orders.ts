export interface Order {
  id: string;
  total: number;
}

// TODO: validate totals against the ledger
export function parseOrder(text: string): Order {
  const { id, total } = JSON.parse(text);
  return { id: String(id), total: Number(total) };
}
