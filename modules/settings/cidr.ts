/**
 * IPv4 CIDR blocks as AWS and Terraform accept them for a VPC: four octets without leading zeros,
 * a prefix length, and no host bits set ("10.0.0.5/16" is refused by the provider's validation at
 * plan time; here it fails at synth, with the network address it probably meant).
 */

/** Why `cidr` is not an IPv4 network block with a prefix from `minPrefix` to `maxPrefix`; undefined when it is. */
export function cidrProblem(cidr: string, minPrefix = 0, maxPrefix = 32): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return "expected an IPv4 CIDR block such as 10.42.0.0/16";
  const octets = m.slice(1, 5);
  const bad = octets.find((o) => Number(o) > 255 || (o.length > 1 && o.startsWith("0")));
  if (bad !== undefined) return `octet ${bad} is not a number from 0 to 255 (without leading zeros)`;
  const prefix = Number(m[5]);
  if (m[5].length > 1 && m[5].startsWith("0")) return `prefix /${m[5]} has a leading zero`;
  if (prefix < minPrefix || prefix > maxPrefix) return `prefix /${prefix} is outside /${minPrefix} to /${maxPrefix}`;
  const address = octets.reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(address / size) * size;
  if (network !== address) {
    const text = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return `host bits are set; the network address of that block is ${text}/${prefix}`;
  }
  return undefined;
}
