// k6's open model (constant-arrival-rate), for BENCHMARKS.md "Highest arrival rate":
//   k6 run --quiet --no-usage-report -e RATE=20000 bench/k6-arrival.js
// RATE iterations/s for DURATION (10s) against URL (the anchors' nginx), with VUS
// pre-allocated and up to MAX_VUS.
import http from 'k6/http';

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['p(50)', 'p(99)'],
  scenarios: {
    arrivals: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 1000),
      timeUnit: '1s',
      duration: __ENV.DURATION || '10s',
      preAllocatedVUs: Number(__ENV.VUS || 100),
      maxVUs: Number(__ENV.MAX_VUS || 2000),
    },
  },
};

export default function () {
  http.get(__ENV.URL || 'http://127.0.0.1:18080/');
}
