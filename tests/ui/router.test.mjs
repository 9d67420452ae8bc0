// Unit tests of ui/js/router.js: hash parsing and route matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, matchRoute, href } from '../../ui/js/router.js';

const routes = [
  { name: 'home', pattern: '/' },
  { name: 'reports', pattern: '/reports' },
  { name: 'report', pattern: '/reports/:id' },
  { name: 'task', pattern: '/cases/:id/tasks/:tid' },
];

test('parseHash splits path and query', () => {
  assert.deepEqual(parseHash('#/reports?q=%E8%A9%90%E6%AC%BA&offset=50'), { path: '/reports', query: { q: '詐欺', offset: '50' } });
  assert.deepEqual(parseHash(''), { path: '/', query: {} });
  assert.deepEqual(parseHash('#reports/'), { path: '/reports', query: {} });
});

test('matchRoute finds the route and its parameters', () => {
  assert.equal(matchRoute(routes, '#/').name, 'home');
  assert.equal(matchRoute(routes, '').name, 'home');
  assert.equal(matchRoute(routes, '#/reports?q=x').name, 'reports');
  assert.deepEqual(matchRoute(routes, '#/reports/abc-1').params, { id: 'abc-1' });
  assert.deepEqual(matchRoute(routes, '#/cases/c1/tasks/t%2F2').params, { id: 'c1', tid: 't/2' });
  assert.equal(matchRoute(routes, '#/reports/a/b'), null);
  assert.equal(matchRoute(routes, '#/nope'), null);
  assert.equal(matchRoute(routes, '#/reports/%E0%A4%A'), null);
});

test('href builds a hash and leaves out empty values', () => {
  assert.equal(href('/reports', { q: '詐欺', category: '', offset: 0 }), '#/reports?q=%E8%A9%90%E6%AC%BA&offset=0');
  assert.equal(href('/cases'), '#/cases');
});
