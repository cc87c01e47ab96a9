{{/*
shazam.mergePatch: applies a JSON merge patch (RFC 7386) to a value. Takes (dict "target" T "patch" P) and
returns YAML of (dict "value" result "zzEnd" true): the key after the value keeps the final line
break of a multi-line string, which toYaml would trim: maps merge key by key, null removes a key, anything else replaces.
*/}}
{{- define "shazam.mergePatch" -}}
{{- $patch := .patch -}}
{{- if kindIs "map" $patch -}}
{{- $out := dict -}}
{{- if kindIs "map" .target }}{{ $out = deepCopy .target }}{{ end -}}
{{- range $key, $value := $patch -}}
{{- if kindIs "invalid" $value -}}
{{- $_ := unset $out $key -}}
{{- else -}}
{{- $merged := fromYaml (include "shazam.mergePatch" (dict "target" (index $out $key) "patch" $value)) -}}
{{- $_ := set $out $key $merged.value -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "value" $out "zzEnd" true) -}}
{{- else -}}
{{- toYaml (dict "value" $patch "zzEnd" true) -}}
{{- end -}}
{{- end -}}
