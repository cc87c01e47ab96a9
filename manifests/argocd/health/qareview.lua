-- Argo CD health check for pipeline.shazam.dev/QAReview (Lua 5.1, Argo CD's sandbox: no io/os).
-- A decision is final, so a decided review is Healthy whichever way it went; the submission it names
-- carries the Degraded state of a rejection.
local hs = { status = "Progressing", message = "Waiting for a QA decision" }

-- Orphaned: the submission is gone or moved to a newer revision, so this review no longer gates anything.
if obj.status ~= nil and obj.status.phase == "Orphaned" then
  hs.status = "Healthy"
  hs.message = "Orphaned: the submission it names is gone or moved to another revision"
  return hs
end

local decision = obj.spec and obj.spec.decision
if decision == nil or decision == "Pending" then
  -- The operator opens a review once the candidate's turntable is rendered; say what QA is looking at.
  local render = obj.status and obj.status.render
  if render ~= nil and render.framesRendered ~= nil then
    hs.message = "Waiting for a QA decision on the rendered candidate (" .. tostring(render.framesRendered) .. " frames)"
  end
  return hs
end

if decision ~= "Approved" and decision ~= "Rejected" then
  hs.status = "Unknown"
  hs.message = "Unknown decision " .. tostring(decision)
  return hs
end

local generation = obj.metadata and obj.metadata.generation
local observed = obj.status and obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = decision .. "; waiting for the operator to record the decision"
  return hs
end

hs.status = "Healthy"
local reviewer = obj.spec.reviewer
if reviewer ~= nil and reviewer ~= "" then
  hs.message = decision .. " by " .. reviewer
else
  hs.message = decision
end
return hs
