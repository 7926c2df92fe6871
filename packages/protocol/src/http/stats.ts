/**
 * RabbitMQ's `message_stats` as the management API shows it on queues, exchanges, vhosts,
 * connections and the overview: a count since the object came to be, and beside each count
 * `<count>_details: { rate }`, per second over the broker's last sampling interval (5 s).
 * Only the counts that mean something on the object are present.
 */
export interface RateDetails {
  rate: number;
}

export interface MessageStatsView {
  publish?: number;
  publish_details?: RateDetails;
  /** Exchanges: messages published into it, and routed out of it to queues / exchanges. */
  publish_in?: number;
  publish_in_details?: RateDetails;
  publish_out?: number;
  publish_out_details?: RateDetails;
  deliver?: number;
  deliver_details?: RateDetails;
  deliver_no_ack?: number;
  deliver_no_ack_details?: RateDetails;
  get?: number;
  get_details?: RateDetails;
  get_no_ack?: number;
  get_no_ack_details?: RateDetails;
  /** deliver + deliver_no_ack + get + get_no_ack. */
  deliver_get?: number;
  deliver_get_details?: RateDetails;
  ack?: number;
  ack_details?: RateDetails;
  redeliver?: number;
  redeliver_details?: RateDetails;
  drop_unroutable?: number;
  drop_unroutable_details?: RateDetails;
}
