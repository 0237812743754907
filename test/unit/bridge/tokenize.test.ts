import { strict as assert } from 'node:assert';
import { tokenize, type Problem } from '../../../src/bridge/py/tokenize';
import { parsePython } from '../../../src/bridge/py/parse';
import { exprText } from '../../../src/bridge/py/ast';

function lines(src: string): { problems: Problem[]; out: { line: number; indent: number; text: string[] }[] } {
  const problems: Problem[] = [];
  const out = tokenize(src, problems).map((l) => ({ line: l.line, indent: l.indent, text: l.tokens.map((t) => t.text) }));
  return { problems, out };
}

describe('bridge: Python tokenizer and parser', () => {
  it('groups tokens into logical lines: comments dropped, brackets and backslashes continue a line', () => {
    const { problems, out } = lines('x = nn.Linear(784,  # in\n    64)\ny = a + \\\n  b\n\n\tz = 1\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(out, [
      { line: 1, indent: 0, text: ['x', '=', 'nn', '.', 'Linear', '(', '784', ',', '64', ')'] },
      { line: 3, indent: 0, text: ['y', '=', 'a', '+', 'b'] },
      { line: 6, indent: 8, text: ['z', '=', '1'] },
    ]);
  });

  it('reads strings with prefixes, escapes and triple quotes over lines, and keeps line numbers right', () => {
    const { problems, out } = lines('a = r"x\\"y" + b\'z\'\n"""doc\nstring"""\nc = f"{1}"\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(out.map((l) => l.line), [1, 2, 4]);
    const p = parsePython('name = "fc" "1"\n');
    const s = p.body[0];
    assert.ok(s.k === 'assign' && s.value.k === 'str' && s.value.value === 'fc1');
  });

  it('reads numbers as Python does', () => {
    const p = parsePython('a = 1_000\nb = 0x1F\nc = 1e-3\nd = .5\ne = -7\nf = 2j\n');
    const vals = p.body.map((s) => (s.k === 'assign' ? (s.value.k === 'num' ? s.value.value : s.value.k) : null));
    assert.deepEqual(vals, [1000, 31, 0.001, 0.5, -7, 'other']);
  });

  it('parses calls with keyword arguments, attributes, subscripts and operators with precedence', () => {
    const p = parsePython('y = F.softmax(self.fc(x.view(x.size(0), -1)), dim=1) * 2 ** -1 + a[0]\n');
    const s = p.body[0];
    assert.ok(s.k === 'assign');
    assert.equal(exprText(s.value), 'F.softmax(self.fc(x.view(x.size(0), -1)), dim=1) * 2 ** -1 + a[0]');
    assert.ok(s.value.k === 'binop' && s.value.op === '+');
  });

  it('nests statements by indentation, including tabs and one-line bodies', () => {
    const p = parsePython('class A(nn.Module):\n\tdef f(self): return 1\n\tdef g(self):\n\t\tpass\nx = 1\n');
    assert.deepEqual(p.problems, []);
    assert.equal(p.body.length, 2);
    const c = p.body[0];
    assert.ok(c.k === 'class');
    assert.deepEqual(c.body.map((s) => (s.k === 'def' ? `${s.name}:${s.body.map((b) => b.k).join(',')}` : s.k)), ['f:return', 'g:pass']);
  });

  it('reports broken text by line and keeps going', () => {
    const { problems } = lines('a = "open\nb = (1,\nc = 2 ]\nd = $\n');
    assert.deepEqual(
      problems.map((p) => [p.line, p.message]),
      [
        [1, 'this string is not closed before the end of the line'],
        [3, '"]" does not match the "(" opened on line 2'],
        [4, 'unexpected character "$" (U+0024)'],
        [2, '"(" is never closed'],
      ],
    );
    const q = lines('s = """never closed\n\nx = 1\n');
    assert.deepEqual(q.problems.map((p) => p.message), ['this triple-quoted string is never closed']);
  });

  it('turns a line it cannot parse into an "other" statement with the reason', () => {
    const p = parsePython('x = = 3\ny = 1\n');
    assert.equal(p.body[0].k, 'other');
    assert.match((p.body[0] as { text: string }).text, /^cannot read this line: an expression is missing$/);
    assert.equal(p.body[1].k, 'assign');
    const deep = parsePython(`m = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`);
    assert.match((deep.body[0] as { text: string }).text, /nested too deeply/);
  });
});
