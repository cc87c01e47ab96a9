-- An Application is as healthy as its resources are (Argo CD's own assessment in status.health).
local hs = { status = "Progressing", message = "Waiting for the Application to report health" }
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  hs.message = obj.status.health.message or ""
end
return hs
