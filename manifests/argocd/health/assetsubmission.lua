-- Argo CD health check for pipeline.shazam.dev/AssetSubmission (Lua 5.1, Argo CD's sandbox: no io/os).
-- Status older than the spec is not trusted: the operator has not seen the latest commit yet.
local hs = { status = "Progressing", message = "Waiting for the SHAZAM operator to report status" }

if obj.status == nil or obj.status.phase == nil then
  return hs
end

local generation = obj.metadata and obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local phase = obj.status.phase
local detail = obj.status.message
local function describe(text)
  if detail ~= nil and detail ~= "" then
    return text .. ": " .. detail
  end
  return text
end

if phase == "Published" then
  hs.status = "Healthy"
  local version = obj.status.published and obj.status.published.version
  if version ~= nil then
    hs.message = "Published version " .. tostring(version)
  else
    hs.message = "Published"
  end
elseif phase == "Superseded" then
  -- A newer revision took over; this object is done and needs no attention.
  hs.status = "Healthy"
  hs.message = describe("Superseded by a newer revision")
elseif phase == "ValidationFailed" then
  hs.status = "Degraded"
  local errors = obj.status.validation and obj.status.validation.errors
  if errors ~= nil then
    hs.message = describe("Validation failed with " .. tostring(errors) .. " error(s)")
  else
    hs.message = describe("Validation failed")
  end
elseif phase == "Rejected" then
  hs.status = "Degraded"
  local comments = obj.status.rejection and obj.status.rejection.comments
  if comments ~= nil and comments ~= "" then
    hs.message = "Rejected by QA: " .. comments
  else
    hs.message = describe("Rejected by QA")
  end
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = describe("Pipeline failed")
-- In flow order: the candidate is rendered before QA reviews it; approval promotes it with its renders.
elseif phase == "Pending" or phase == "Validating" or phase == "Rendering" or phase == "AwaitingQA" or phase == "Promoting" then
  hs.status = "Progressing"
  hs.message = describe(phase)
else
  hs.status = "Unknown"
  hs.message = "Unknown phase " .. tostring(phase)
end
return hs
