/** NamedGroup codepoint ↔ name (RFC 8446 §4.2.7) and provider lookup. */
import type { CryptoProvider, KeyExchangeGroup, NamedGroupName } from '../../crypto/provider.js';
import { TlsError } from '../../errors.js';
import { NamedGroupCode } from '../messages/types.js';

export function groupCode(name: NamedGroupName): number {
  return NamedGroupCode[name];
}

export function groupName(code: number): NamedGroupName | undefined {
  for (const [k, v] of Object.entries(NamedGroupCode)) if (v === code) return k as NamedGroupName;
  return undefined;
}

export function requireGroup(provider: CryptoProvider, name: NamedGroupName): KeyExchangeGroup {
  const g = provider.group(name);
  if (!g) {
    const hint = provider.groupHint?.(name);
    throw new TlsError('internal_error', `provider ${provider.name} does not implement group ${name}${hint ? `: ${hint}` : ''}`, { code: 'bad_config' });
  }
  return g;
}
