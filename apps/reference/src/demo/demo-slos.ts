import { parseSloSpecs } from '@sightline/slo';

/**
 * The demo's SLOs, tight enough that the recurring fault burns them within a minute: the
 * payments error burst pages `payments-availability` and `storefront-checkout`, the latency
 * regression burns `checkout-latency`.
 */
export const DEMO_SLOS = parseSloSpecs(
  [
    { name: 'storefront-checkout', service: 'storefront', description: 'Checkouts succeed', objective: 0.99, window: '30d', sli: { kind: 'availability', operation: '/checkout' }, labels: { team: 'web' } },
    { name: 'checkout-latency', service: 'checkout', description: 'Orders are placed within 300 ms', objective: 0.95, window: '30d', sli: { kind: 'latency', thresholdMs: 300, operation: 'command PlaceOrder' }, labels: { team: 'orders' } },
    { name: 'payments-availability', service: 'payments', description: 'Cards are charged', objective: 0.995, window: { calendar: 'month', timeZone: 'UTC' }, sli: { kind: 'availability' }, labels: { team: 'payments' } },
  ],
  'demo SLOs',
);
