// The cidr operator and the IPv4/IPv6 address and block parsing behind it.

import { fail } from "./invalid-event-pattern";
import type { ValueTest } from "./pattern-model";
import { requireString } from "./value-operators";

export function compileCidr(argument: unknown, path: string): ValueTest {
  const block = parseCidr(requireString(argument, path, "cidr"));
  if (block === undefined) return fail(path, argument, "cidr takes an IPv4 or IPv6 block such as 10.0.0.0/24");
  return (value) => {
    if (typeof value !== "string") return false;
    const address = parseIp(value);
    return address !== undefined && address.bits === block.bits && (address.value & block.mask) === block.network;
  };
}

// ---------------------------------------------------------------------------------------------
// IP addresses (for cidr)
// ---------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}
interface IpBlock {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly mask: bigint;
}

function parseCidr(text: string): IpBlock | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const address = match === null ? undefined : parseIp(match[1] ?? "");
  const prefixLength = Number(match?.[2]);
  if (address === undefined || prefixLength > address.bits) return undefined;
  const width = BigInt(address.bits);
  const mask = ((1n << BigInt(prefixLength)) - 1n) << (width - BigInt(prefixLength));
  return { bits: address.bits, network: address.value & mask, mask };
}

function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = ipv6Groups(halves[0] ?? "");
  const tail = halves.length === 2 ? ipv6Groups(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

function ipv6Groups(part: string): number[] | undefined {
  if (part === "") return [];
  const groups: number[] = [];
  const pieces = part.split(":");
  for (const [index, piece] of pieces.entries()) {
    const embeddedV4 = index === pieces.length - 1 && piece.includes(".") ? parseIpv4(piece) : undefined;
    if (embeddedV4 !== undefined) {
      groups.push(Number(embeddedV4 >> 16n), Number(embeddedV4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
