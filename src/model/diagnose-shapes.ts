/** Places the shape issues of `inferShapes` in the text, with their messages and quick fixes. */
import type { Node } from 'jsonc-parser';
import { insertBefore, removeItem, replaceNode } from './edits';
import type { ParsedLayer, ParsedModel } from './read';
import type { QuickFix, Reporter } from './report';
import type { ShapeIssue } from './shapes';
import { formatShape } from './text';

function propOf(value: Node | undefined): Node | undefined {
  return value?.parent?.type === 'property' ? value.parent : undefined;
}

/** Sets a field's value, when the field is there to edit. */
function setField(r: Reporter, l: ParsedLayer, field: string, value: number, title: string, preferred = true): QuickFix[] {
  const n = l.fields.get(field);
  return n ? [{ title, edits: [replaceNode(r.lines, n, String(value))], preferred }] : [];
}

function labelOf(l: ParsedLayer): string {
  return `${l.type ?? 'layer'} ${l.name}`;
}

export function diagnoseShapes(r: Reporter, model: ParsedModel, issues: readonly ShapeIssue[]): void {
  for (const issue of issues) {
    const l = model.layers[issue.layer];
    const at = (field?: string): Node => (field && l.fields.get(field)) || l.typeNode || l.node;
    const layer = issue.layer;
    switch (issue.kind) {
      case 'linear-in-mismatch': {
        const inNode = l.fields.get('in');
        const fixes: QuickFix[] = setField(r, l, 'in', issue.received, `Set "in" to ${issue.received}`);
        const prop = propOf(inNode);
        if (prop?.parent) {
          const props = (prop.parent.children ?? []).filter((c) => c.type === 'property');
          fixes.push({ title: `Remove "in" (it is then inferred as ${issue.received})`, edits: removeItem(r.lines, prop, props) });
        }
        r.error('linear-in-mismatch', at('in'), `Linear ${l.name} expects ${issue.expected} input features but receives ${issue.received} from ${issue.from} (shape ${formatShape(issue.shape)})`, { layer, fixes });
        break;
      }
      case 'needs-flatten': {
        const edits = [insertBefore(r.lines, l.node, '{ "type": "Flatten" }')];
        const inNode = l.fields.get('in');
        if (inNode && l.in !== issue.features) edits.push(replaceNode(r.lines, inNode, String(issue.features)));
        const fixes: QuickFix[] = [{ title: `Insert a Flatten before ${labelOf(l)}${edits.length > 1 ? ` and set "in" to ${issue.features}` : ''}`, edits, preferred: true }];
        const last = issue.shape[issue.shape.length - 1];
        const msg = issue.error
          ? `Linear ${l.name} expects ${l.in} input features but receives ${formatShape(issue.shape)} (${last} features in the last dimension): insert a Flatten before it to turn each sample into ${issue.features} features`
          : `Linear ${l.name} receives ${formatShape(issue.shape)}: a Linear maps the last dimension only (${last} features, once per row). Insert a Flatten before it to use all ${issue.features} values of each sample`;
        r.report(issue.error ? 'error' : 'warning', 'needs-flatten', at('in'), msg, { layer, fixes });
        break;
      }
      case 'dim-out-of-range': {
        const good = issue.field === 'endDim' ? -1 : 1;
        r.error(
          'dim-out-of-range',
          at(issue.field),
          `${labelOf(l)}: Dimension out of range (expected to be in range of [${-issue.rank}, ${issue.rank - 1}], but got ${issue.value}) for its input of shape ${formatShape(issue.shape)}`,
          { layer, fixes: setField(r, l, issue.field, good, `Set "${issue.field}" to ${good}`) },
        );
        break;
      }
      case 'flatten-batch':
        r.error('flatten-batch', at('startDim'), `Flatten ${l.name}: startDim 0 would merge the batch dimension B into the features; use startDim 1 (the default) to flatten each sample`, {
          layer,
          fixes: setField(r, l, 'startDim', 1, 'Set "startDim" to 1'),
        });
        break;
      case 'flatten-order':
        r.error('flatten-order', at('startDim'), `Flatten ${l.name}: flatten() has invalid args: start_dim cannot come after end_dim`, { layer });
        break;
      case 'softmax-batch-dim':
        r.warning('softmax-batch-dim', at('dim'), `${labelOf(l)}: dim ${l.dim} normalises across the batch (dimension 0 of [B, …]), not across the features of each sample: use dim 1`, {
          layer,
          fixes: setField(r, l, 'dim', 1, 'Set "dim" to 1'),
        });
        break;
    }
  }
}

