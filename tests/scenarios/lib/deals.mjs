// What the scenarios that sync deals share: a HubSpot "New Business" deal pipeline whose stages
// are labelled like the org's opportunity stages (Prospecting, Qualification, Closed Won, Closed
// Lost), so the stage map pre-fills by label. Answers {id, stage: label -> stage id}.
import assert from 'node:assert/strict';

const STAGES = [
  ['Prospecting', '0.1', false],
  ['Qualification', '0.3', false],
  ['Closed Won', '1.0', true],
  ['Closed Lost', '0.0', true],
];

export async function newBusinessPipeline(pair) {
  const r = await pair.hs.api('POST', '/crm/v3/pipelines/deals', {
    label: 'New Business',
    displayOrder: 1,
    stages: STAGES.map(([label, probability, closed], i) => ({
      label,
      displayOrder: i,
      metadata: { probability, isClosed: String(closed) },
    })),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const stage = {};
  for (const s of r.body.stages) stage[s.label] = s.id;
  return { id: r.body.id, stage };
}
