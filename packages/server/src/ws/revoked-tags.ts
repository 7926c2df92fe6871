/**
 * The delivery tags of one connection that the broker took back when their ack lease expired,
 * so that a late ack, nack or extend of one gets `delivery_expired` instead of the vaguer
 * `unknown_delivery_tag`. Only the most recent ones are remembered, so a connection that lets
 * many leases lapse does not grow without bound; an older tag falls back to `unknown_delivery_tag`.
 */
const REMEMBERED = 10_000;

export class RevokedTags {
  private readonly tags = new Set<number>();

  add(tag: number): void {
    this.tags.add(tag);
    if (this.tags.size > REMEMBERED) this.tags.delete(this.tags.values().next().value as number);
  }

  has(tag: number): boolean {
    return this.tags.has(tag);
  }
}
