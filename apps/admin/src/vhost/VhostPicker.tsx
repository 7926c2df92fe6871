/**
 * The header's vhost picker: the vhosts the user may see (`GET /api/vhosts` answers only those),
 * live. A chosen vhost that is gone (deleted elsewhere) stays listed, so the choice is visible.
 */
import type { VHostView } from '@warren/protocol';
import { useLive } from '../live/useLive.js';
import { chooseVhost, useVhost } from './useVhost.js';

export function VhostPicker() {
  const vhost = useVhost();
  const list = useLive<VHostView[]>('/api/vhosts');
  const names = (Array.isArray(list.data) ? list.data : []).map((v) => v.name);
  if (!names.includes(vhost)) names.unshift(vhost);
  return (
    <label className="vhost-picker">
      Vhost{' '}
      <select value={vhost} onChange={(e) => chooseVhost(e.target.value)} data-testid="vhost-picker">
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
