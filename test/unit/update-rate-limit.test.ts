import t from 'tap';

import { RateLimiter } from '../../src/update/rate-limit.js';

t.test('allows the configured number of hits per window and then refuses with the wait', async (t) => {
  const limiter = new RateLimiter({ requests: 2, windowSeconds: 120 });
  t.same(limiter.hit('d', 0), { allowed: true });
  t.same(limiter.hit('d', 10_000), { allowed: true });
  t.same(limiter.hit('d', 20_000), { allowed: false, retryAfter: 100 });
  t.same(limiter.hit('other', 20_000), { allowed: true }, 'keys are independent');
});

t.test('slides: a slot frees when the oldest hit leaves the window', async (t) => {
  const limiter = new RateLimiter({ requests: 2, windowSeconds: 60 });
  limiter.hit('d', 0);
  limiter.hit('d', 30_000);
  t.same(limiter.hit('d', 59_999), { allowed: false, retryAfter: 1 });
  t.same(limiter.hit('d', 60_000), { allowed: true });
  t.same(limiter.hit('d', 60_001), { allowed: false, retryAfter: 30 });
});

t.test('does not count refused hits', async (t) => {
  const limiter = new RateLimiter({ requests: 1, windowSeconds: 10 });
  limiter.hit('d', 0);
  for (let i = 1; i < 10; i++) limiter.hit('d', i * 1000);
  t.same(limiter.hit('d', 10_000), { allowed: true });
});

t.test('keeps memory bounded: expired keys are swept and the oldest go past the bound', async (t) => {
  const limiter = new RateLimiter({ requests: 1, windowSeconds: 1 }, 100);
  for (let i = 0; i < 5000; i++) limiter.hit(`k${i}`, Math.floor(i / 10) * 1000);
  t.ok(limiter.size <= 100, `size ${limiter.size} is within the bound`);
  const fresh = new RateLimiter({ requests: 1, windowSeconds: 3600 }, 100);
  for (let i = 0; i < 1000; i++) fresh.hit(`k${i}`, i);
  t.ok(fresh.size <= 100, `size ${fresh.size} is within the bound with live keys`);
  t.same(fresh.hit('k999', 1000), { allowed: false, retryAfter: 3600 }, 'the newest keys are kept');
});
