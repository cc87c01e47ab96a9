-- Argo CD health check for pipeline.shazam.dev/RenderJob (Lua 5.1, Argo CD's sandbox: no io/os).
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
if phase == "Succeeded" then
  hs.status = "Healthy"
  local frames = obj.status.framesRendered
  if frames ~= nil then
    hs.message = "Rendered " .. tostring(frames) .. " frame(s)"
  else
    hs.message = "Rendered"
  end
elseif phase == "Failed" then
  hs.status = "Degraded"
  if detail ~= nil and detail ~= "" then
    hs.message = "Render failed: " .. detail
  else
    hs.message = "Render failed"
  end
elseif phase == "Pending" or phase == "Running" then
  hs.status = "Progressing"
  if detail ~= nil and detail ~= "" then
    hs.message = phase .. ": " .. detail
  else
    hs.message = phase
  end
else
  hs.status = "Unknown"
  hs.message = "Unknown phase " .. tostring(phase)
end
return hs
