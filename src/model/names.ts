/** Layer names become state_dict keys and attributes of nn.Sequential: what PyTorch accepts and what it breaks. */

/**
 * Attributes of torch.nn.Sequential (PyTorch 1.13, `dir(nn.Sequential())`): `add_module` refuses a child
 * with one of these names ("attribute 'forward' already exists"), so exporting such a model would fail.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(
  (
    'T_destination __add__ __annotations__ __call__ __class__ __delattr__ __delitem__ __dict__ __dir__ __doc__ __eq__ ' +
    '__format__ __ge__ __getattr__ __getattribute__ __getitem__ __getstate__ __gt__ __hash__ __iadd__ __imul__ ' +
    '__init__ __init_subclass__ __iter__ __le__ __len__ __lt__ __module__ __mul__ __ne__ __new__ __reduce__ ' +
    '__reduce_ex__ __repr__ __rmul__ __setattr__ __setitem__ __setstate__ __sizeof__ __str__ __subclasshook__ ' +
    '__weakref__ _apply _backward_hooks _buffers _call_impl _forward_hooks _forward_pre_hooks _get_backward_hooks ' +
    '_get_item_by_idx _get_name _is_full_backward_hook _load_from_state_dict _load_state_dict_post_hooks ' +
    '_load_state_dict_pre_hooks _maybe_warn_non_full_backward_hook _modules _named_members ' +
    '_non_persistent_buffers_set _parameters _register_load_state_dict_pre_hook _register_state_dict_hook ' +
    '_replicate_for_data_parallel _save_to_state_dict _slow_forward _state_dict_hooks _version add_module append ' +
    'apply bfloat16 buffers children cpu cuda double dump_patches eval extend extra_repr float forward get_buffer ' +
    'get_extra_state get_parameter get_submodule half insert ipu load_state_dict modules named_buffers ' +
    'named_children named_modules named_parameters parameters pop register_backward_hook register_buffer ' +
    'register_forward_hook register_forward_pre_hook register_full_backward_hook ' +
    'register_load_state_dict_post_hook register_module register_parameter requires_grad_ set_extra_state ' +
    'share_memory state_dict to to_empty train training type xpu zero_grad'
  ).split(' '),
);

/** Why PyTorch would refuse `name` as a module name, or null when it accepts it. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'module name can\'t be empty string ""';
  if (name.includes('.')) return `module name can't contain ".", got: ${name}`;
  if (RESERVED_NAMES.has(name)) return `attribute '${name}' already exists`;
  return null;
}

/** A Python identifier (ASCII subset): reachable as `model.W1` and in expressions like `W1.weight[:2]`. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** A name not in `taken`, derived from `name`: W2 → W3 (next free number), hidden → hidden_2. */
export function freshName(name: string, taken: ReadonlySet<string>): string {
  const cleaned = name.replace(/\./g, '_') || 'layer';
  const m = /^(.*?)(\d+)$/.exec(cleaned);
  const base = m ? m[1] : cleaned + '_';
  let n = m ? Number(m[2]) + 1 : 2;
  if (!Number.isSafeInteger(n)) n = 2;
  let candidate = cleaned;
  for (let guard = 0; (taken.has(candidate) || RESERVED_NAMES.has(candidate) || candidate === name) && guard < 100000; guard++) {
    candidate = `${base}${n++}`;
  }
  return candidate;
}
