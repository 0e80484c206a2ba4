/**
 * A small evaluator of exactly the CloudWatch metric math the kit's AWS scaling uses: numbers,
 * metric ids, + - * /, < > <= >=, AND, OR, FILL(x, n) and IF(c, a, b), at one timestamp.
 *
 * Missing data is `undefined`. FILL replaces it (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html,
 * FILL); every other operation on a missing value gives a missing value: the model that a
 * timestamp where an input has no data point yields no data point. Comparisons and AND/OR give 1
 * or 0; IF takes the second argument when the first is not 0.
 */
export type Inputs = Readonly<Record<string, number | undefined>>;

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'call'; name: 'FILL' | 'IF'; args: Node[] }
  | { kind: 'binary'; op: string; left: Node; right: Node };

const PRECEDENCE: Record<string, number> = { OR: 1, AND: 2, '<': 3, '>': 3, '<=': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5 };

function tokenize(text: string): string[] {
  const tokens = text.match(/\s*(<=|>=|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/()<>,])/gy);
  if (tokens === null || tokens.join('').trim() !== text.replace(/\s+$/, '').trim()) throw new Error(`cannot read metric math: ${text}`);
  return tokens.map((t) => t.trim());
}

export function parseMetricMath(text: string): Node {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const t = tokens[at++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new Error(`metric math: expected ${expected ?? 'a token'} at ${at} in ${text}`);
    return t;
  };
  const primary = (): Node => {
    const t = take();
    if (t === '(') {
      const inner = expression(0);
      take(')');
      return inner;
    }
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (t === 'FILL' || t === 'IF') {
      take('(');
      const args = [expression(0)];
      while (peek() === ',') {
        take(',');
        args.push(expression(0));
      }
      take(')');
      if (args.length !== (t === 'FILL' ? 2 : 3)) throw new Error(`metric math: ${t} with ${args.length} arguments`);
      return { kind: 'call', name: t, args };
    }
    if (/^[a-z]/.test(t)) return { kind: 'id', name: t };
    throw new Error(`metric math: unexpected ${t} in ${text}`);
  };
  const expression = (minPrecedence: number): Node => {
    let left = primary();
    for (;;) {
      const op = peek();
      const p = op === undefined ? undefined : PRECEDENCE[op];
      if (p === undefined || p < minPrecedence) return left;
      take();
      const right = expression(p + 1);
      left = { kind: 'binary', op: op!, left, right };
    }
  };
  const tree = expression(0);
  if (at !== tokens.length) throw new Error(`metric math: trailing ${tokens.slice(at).join(' ')} in ${text}`);
  return tree;
}

export function evaluateMetricMath(text: string, inputs: Inputs): number | undefined {
  const run = (node: Node): number | undefined => {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'id':
        if (!(node.name in inputs)) throw new Error(`metric math: no input ${node.name}`);
        return inputs[node.name];
      case 'call': {
        if (node.name === 'FILL') return run(node.args[0]!) ?? run(node.args[1]!);
        const condition = run(node.args[0]!);
        if (condition === undefined) return undefined;
        return condition !== 0 ? run(node.args[1]!) : run(node.args[2]!);
      }
      case 'binary': {
        const l = run(node.left);
        const r = run(node.right);
        if (l === undefined || r === undefined) return undefined;
        const b = (x: boolean) => (x ? 1 : 0);
        switch (node.op) {
          case '+': return l + r;
          case '-': return l - r;
          case '*': return l * r;
          case '/': return l / r;
          case '<': return b(l < r);
          case '>': return b(l > r);
          case '<=': return b(l <= r);
          case '>=': return b(l >= r);
          case 'AND': return b(l !== 0 && r !== 0);
          case 'OR': return b(l !== 0 || r !== 0);
        }
        throw new Error(`metric math: operator ${node.op}`);
      }
    }
  };
  return run(parseMetricMath(text));
}
