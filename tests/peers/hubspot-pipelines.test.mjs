// Pipelines through @hubspot/api-client: the seeded deal and ticket pipelines with their stages
// and metadata, pipeline and stage create/read/update/replace/archive, and what a deal's
// pipeline/dealstage may hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, assertErrorShape, ISO_MS, withPortal } from './lib/hubspot.mjs';

let hs;
let c;

withPortal((portal) => {
  hs = portal;
  c = portal.client();
});

const DEAL_STAGES = [
  ['appointmentscheduled', '0.2', 'false'],
  ['qualifiedtobuy', '0.4', 'false'],
  ['presentationscheduled', '0.6', 'false'],
  ['decisionmakerboughtin', '0.8', 'false'],
  ['contractsent', '0.9', 'false'],
  ['closedwon', '1.0', 'true'],
  ['closedlost', '0.0', 'true'],
];

function assertPipelineShape(p) {
  assert.equal(typeof p.id, 'string');
  assert.equal(typeof p.label, 'string');
  assert.equal(typeof p.displayOrder, 'number');
  assert.equal(typeof p.archived, 'boolean');
  assert.match(p.createdAt, ISO_MS);
  assert.match(p.updatedAt, ISO_MS);
  assert.ok(Array.isArray(p.stages));
  for (const s of p.stages) {
    assert.equal(typeof s.id, 'string');
    assert.equal(typeof s.label, 'string');
    assert.equal(typeof s.displayOrder, 'number');
    assert.equal(typeof s.archived, 'boolean');
    assert.match(s.createdAt, ISO_MS);
    assert.match(s.updatedAt, ISO_MS);
    for (const [k, v] of Object.entries(s.metadata)) assert.equal(typeof v, 'string', `metadata.${k} is a string`);
  }
}

test('deals: the seeded "default" pipeline with its seven stages and string metadata', async () => {
  const all = await c.crm.pipelines.pipelinesApi.getAll('deals');
  const w = c.last().json;
  assert.equal(c.last().status, 200);
  assert.equal(w.paging, undefined, 'no paging on pipelines');
  for (const p of w.results) assertPipelineShape(p);
  const def = w.results.find((p) => p.id === 'default');
  assert.ok(def, 'pipeline "default" exists');
  assert.equal(def.archived, false);
  const stages = [...def.stages].sort((a, b) => a.displayOrder - b.displayOrder);
  assert.deepEqual(
    stages.map((s) => [s.id, String(Number(s.metadata.probability).toFixed(1)), s.metadata.isClosed]),
    DEAL_STAGES,
  );
  for (const s of stages) assert.equal(s.createdAt, '1970-01-01T00:00:00.000Z', 'default stages are created at epoch 0');
  assert.ok(all.results.some((p) => p.id === 'default'));
  assert.ok(all.results[0].createdAt instanceof Date);
});

test('tickets: the seeded "0" pipeline, stages 1-4, 4 is CLOSED', async () => {
  const p = await c.crm.pipelines.pipelinesApi.getById('tickets', '0');
  const w = c.last().json;
  assertPipelineShape(w);
  const ids = [...w.stages].sort((a, b) => a.displayOrder - b.displayOrder).map((s) => s.id);
  assert.deepEqual(ids, ['1', '2', '3', '4']);
  assert.equal(w.stages.find((s) => s.id === '4').metadata.ticketState, 'CLOSED');
  assert.equal(w.stages.find((s) => s.id === '1').metadata.ticketState, 'OPEN');
  assert.equal(p.id, '0');
});

test('an unknown pipeline or object type is 404 / 400', async () => {
  assertErrorShape(await apiError(c.crm.pipelines.pipelinesApi.getById('deals', 'nope'), 404), 'OBJECT_NOT_FOUND');
  let err;
  try {
    await c.crm.pipelines.pipelinesApi.getAll('widgets');
  } catch (e) {
    err = e;
  }
  assert.ok(err && err.code >= 400 && err.code < 500);
});

test('pipeline create 201, read, update label, replace, archive 204 then 404', async () => {
  const created = await c.crm.pipelines.pipelinesApi.create('deals', {
    label: 'Partner deals',
    displayOrder: 1,
    stages: [
      { label: 'Sourced', displayOrder: 0, metadata: { probability: '0.1' } },
      { label: 'Won', displayOrder: 1, metadata: { probability: '1.0', isClosed: 'true' } },
    ],
  });
  let w = c.last();
  assert.equal(w.status, 201);
  assertPipelineShape(w.json);
  assert.equal(w.json.label, 'Partner deals');
  assert.equal(w.json.stages.length, 2);
  assert.ok(created.id && created.id !== 'default');
  const won = w.json.stages.find((s) => s.label === 'Won');
  assert.equal(won.metadata.probability, '1.0');

  const got = await c.crm.pipelines.pipelinesApi.getById('deals', created.id);
  assert.equal(got.label, 'Partner deals');

  const upd = await c.crm.pipelines.pipelinesApi.update('deals', created.id, { label: 'Partner deals (EU)' });
  assert.equal(c.last().status, 200);
  assert.equal(upd.label, 'Partner deals (EU)');
  assert.equal(upd.stages.length, 2, 'PATCH keeps stages');

  // a deal can live in the new pipeline, in one of its stages
  const d = await c.crm.deals.basicApi.create({ properties: { dealname: 'Partnered', pipeline: created.id, dealstage: won.id } });
  assert.equal(d.properties.pipeline, created.id);
  // but not in a stage of another pipeline
  await apiError(
    c.crm.deals.basicApi.create({ properties: { dealname: 'Mismatched', pipeline: created.id, dealstage: 'appointmentscheduled' } }),
    400,
  );
  await c.crm.deals.basicApi.archive(d.id);

  const rep = await c.crm.pipelines.pipelinesApi.replace('deals', created.id, {
    label: 'Partner deals v2',
    displayOrder: 2,
    stages: [{ label: 'Only stage', displayOrder: 0, metadata: { probability: '0.5' } }],
  });
  w = c.last();
  assert.equal(w.status, 200);
  assert.equal(rep.label, 'Partner deals v2');
  assert.deepEqual(rep.stages.map((s) => s.label), ['Only stage']);

  await c.crm.pipelines.pipelinesApi.archive('deals', created.id);
  assert.equal(c.last().status, 204);
  await apiError(c.crm.pipelines.pipelinesApi.getById('deals', created.id), 404);
  const all = await c.crm.pipelines.pipelinesApi.getAll('deals');
  assert.ok(!all.results.some((p) => p.id === created.id));
});

test('deal stages require a probability in 0..1', async () => {
  assertErrorShape(
    await apiError(
      c.crm.pipelines.pipelinesApi.create('deals', { label: 'Bad', displayOrder: 3, stages: [{ label: 'S', displayOrder: 0, metadata: {} }] }),
      400,
    ),
    'VALIDATION_ERROR',
  );
  await apiError(
    c.crm.pipelines.pipelinesApi.create('deals', {
      label: 'Bad2',
      displayOrder: 3,
      stages: [{ label: 'S', displayOrder: 0, metadata: { probability: '1.5' } }],
    }),
    400,
  );
});

test('stages: list, read, create 201, update, archive 204', async () => {
  const list = await c.crm.pipelines.pipelineStagesApi.getAll('tickets', '0');
  assert.equal(list.results.length, 4);
  const s1 = await c.crm.pipelines.pipelineStagesApi.getById('tickets', '0', '1');
  assert.equal(s1.id, '1');
  const made = await c.crm.pipelines.pipelineStagesApi.create('tickets', '0', {
    label: 'Escalated',
    displayOrder: 5,
    metadata: { ticketState: 'OPEN' },
  });
  assert.equal(c.last().status, 201);
  assert.equal(made.label, 'Escalated');
  assert.equal(made.metadata.ticketState, 'OPEN');
  const upd = await c.crm.pipelines.pipelineStagesApi.update('tickets', '0', made.id, { label: 'Escalated!', metadata: { ticketState: 'OPEN' } });
  assert.equal(upd.label, 'Escalated!');
  // a ticket can use the new stage
  const t = await c.crm.tickets.basicApi.create({ properties: { subject: 'esc', hs_pipeline: '0', hs_pipeline_stage: made.id } });
  assert.equal(t.properties.hs_pipeline_stage, made.id);
  await c.crm.tickets.basicApi.archive(t.id);
  await c.crm.pipelines.pipelineStagesApi.archive('tickets', '0', made.id);
  assert.equal(c.last().status, 204);
  await apiError(c.crm.pipelines.pipelineStagesApi.getById('tickets', '0', made.id), 404);
  const p = await c.crm.pipelines.pipelinesApi.getById('tickets', '0');
  assert.equal(p.stages.length, 4);
});
