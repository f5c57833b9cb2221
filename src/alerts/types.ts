/** Event types sent to webhooks. */
export type AlertEvent = 'story.created' | 'story.updated';

/** The public webhook payload: a shape of its own, separate from internal models. */
export interface AlertPayload {
  type: AlertEvent;
  story: {
    id: string;
    title: string;
    url: string;
    outlet: string;
    publishedAt: string | null;
    score: number;
    reasons: string[];
    articles: Array<{ url: string; title: string; outlet: string; publishedAt: string | null }>;
  };
  /** Present (true) only on an operator's re-send (`diplowatch replay`), which also carries a new `webhook-id`. */
  replay?: true;
}

/** Standard Webhooks headers for one delivery. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'content-type': 'application/json';
}
