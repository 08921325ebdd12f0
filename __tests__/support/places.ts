/** Synthesized text as deployed in a given account and region: the data sources' values filled in, as the provider would read them. */
export interface Place {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

/** `text` with every partition, account and region data-source reference replaced by `place`'s values. */
export function deployedIn(text: string, place: Place): string {
  return text
    .replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, place.partition ?? "aws")
    .replace(/\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}/g, place.account)
    .replace(/\$\{data\.aws_region\.[A-Za-z0-9_-]+\.region\}/g, place.region);
}
