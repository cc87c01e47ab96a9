-- An ApplicationSet is Healthy once it has generated Applications and every one of them is Healthy.
local hs = { status = "Progressing", message = "Waiting for the generated Applications" }
if obj.status == nil then
  return hs
end
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "ErrorOccurred" and condition.status == "True" then
      return { status = "Degraded", message = condition.message or "The ApplicationSet reports an error" }
    end
  end
end
if obj.status.resources == nil or #obj.status.resources == 0 then
  return hs
end
for _, resource in ipairs(obj.status.resources) do
  local health = "Unknown"
  if resource.health ~= nil and resource.health.status ~= nil then
    health = resource.health.status
  end
  if health == "Degraded" then
    return { status = "Degraded", message = resource.name .. " is Degraded" }
  end
  if health ~= "Healthy" then
    hs.message = resource.name .. " is " .. health
    return hs
  end
end
return { status = "Healthy", message = "Every generated Application is Healthy" }
