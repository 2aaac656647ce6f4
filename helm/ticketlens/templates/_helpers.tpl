{{/*
Chart name, at most 63 characters.
*/}}
{{- define "ticketlens.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, at most 63 characters (some Kubernetes name fields are limited to
that). A release name that already contains the chart name is used as is.
*/}}
{{- define "ticketlens.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "ticketlens.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "ticketlens.labels" -}}
helm.sh/chart: {{ include "ticketlens.chart" . }}
{{ include "ticketlens.selectorLabels" . }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/component: server
app.kubernetes.io/part-of: ticketlens
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: stable for the life of a release (Deployment selectors are immutable).
*/}}
{{- define "ticketlens.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ticketlens.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the service account to use.
*/}}
{{- define "ticketlens.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ticketlens.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Container image reference: repository@digest when a digest is set, else repository:tag.
*/}}
{{- define "ticketlens.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Where the ConfigMap's TOML file is mounted, and its file name.
*/}}
{{- define "ticketlens.configDir" -}}/etc/ticketlens{{- end }}
{{- define "ticketlens.configFile" -}}ticketlens.toml{{- end }}

{{/*
True ("true") when more than one pod may run at once: replicaCount > 1 or autoscaling.
*/}}
{{- define "ticketlens.scalesOut" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{- end }}
{{- end }}

{{/*
Checks the combinations the schema cannot express; fails the render with a message.
Included by the Deployment, so every render runs it.
*/}}
{{- define "ticketlens.validate" -}}
{{- $db := .Values.database }}
{{- if eq $db.backend "sqlite" }}
{{- if include "ticketlens.scalesOut" . }}
{{- fail (printf "PostgreSQL is required to scale out: database.backend is sqlite, which serves a single process, but replicaCount is %d%s. Set database.backend=postgres and database.postgres.existingSecret to a Secret holding the postgres:// URL, or run one replica with autoscaling disabled." (int .Values.replicaCount) (ternary " and autoscaling.enabled is true" "" (.Values.autoscaling.enabled | default false))) }}
{{- end }}
{{- $mount := trimSuffix "/" .Values.persistence.mountPath }}
{{- if not (hasPrefix (printf "%s/" $mount) $db.sqlite.path) }}
{{- fail (printf "database.sqlite.path (%s) must be under persistence.mountPath (%s): the root filesystem is read-only." $db.sqlite.path $mount) }}
{{- end }}
{{- else if eq $db.backend "postgres" }}
{{- if not $db.postgres.existingSecret }}
{{- fail "database.backend is postgres but database.postgres.existingSecret is empty: name an existing Secret holding the postgres:// URL (key database.postgres.existingSecretKey)." }}
{{- end }}
{{- end }}
{{- range $section, $keys := .Values.config }}
{{- range $key, $_ := $keys }}
{{- if regexMatch "(?i)secret|token|password|passwd|api_?key|private_key|credential" $key }}
{{- fail (printf "config.%s.%s looks like a secret: keep it in a Secret and add a secretEnv entry {name: TICKETLENS_%s__%s, secretName: ..., key: ...} instead." $section $key (upper $section) (upper $key)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if hasKey (.Values.config.server | default dict) "listen" }}
{{- fail "config.server.listen is set by the chart (0.0.0.0:<containerPort>): set containerPort instead." }}
{{- end }}
{{- if hasKey (.Values.config.database | default dict) "url" }}
{{- fail "config.database.url is set by the chart: use database.sqlite.path, or database.backend=postgres with database.postgres.existingSecret." }}
{{- end }}
{{- $envNames := list }}
{{- range .Values.secretEnv }}
{{- if eq .name "TICKETLENS_DATABASE__URL" }}
{{- fail "secretEnv: TICKETLENS_DATABASE__URL comes from database.postgres.existingSecret (with database.backend=postgres)." }}
{{- end }}
{{- if has .name $envNames }}
{{- fail (printf "secretEnv: %s is listed twice." .name) }}
{{- end }}
{{- $envNames = append $envNames .name }}
{{- end }}
{{- if and (include "ticketlens.scalesOut" .) .Values.persistence.enabled (not (has "ReadWriteMany" .Values.persistence.accessModes)) }}
{{- fail "persistence.enabled with more than one pod needs a ReadWriteMany claim (persistence.accessModes); otherwise set persistence.enabled=false to give each pod an emptyDir for its clones and indexes." }}
{{- end }}
{{- end }}

{{/*
One TOML value: a string (JSON string escapes are valid TOML), a boolean, an integer (values
arrive as float64, which would print as 1.048576e+06), a float, or an array of those.
*/}}
{{- define "ticketlens.tomlValue" -}}
{{- $v := . }}
{{- if kindIs "string" $v }}
{{- toJson $v }}
{{- else if kindIs "bool" $v }}
{{- $v }}
{{- else if or (kindIs "float64" $v) (kindIs "float32" $v) (kindIs "int" $v) (kindIs "int64" $v) }}
{{- if eq (float64 $v) (floor $v) }}{{ int64 $v }}{{ else }}{{ $v }}{{ end }}
{{- else if kindIs "slice" $v }}
{{- $items := list }}
{{- range $v }}{{ $items = append $items (include "ticketlens.tomlValue" .) }}{{ end }}
{{- printf "[%s]" (join ", " $items) }}
{{- else }}
{{- fail (printf "config: unsupported value %v (%s): use strings, numbers, booleans or lists of them" $v (kindOf $v)) }}
{{- end }}
{{- end }}

{{/*
The configuration file: .Values.config plus what the chart owns (server.listen, and
database.url for SQLite; a PostgreSQL URL arrives as TICKETLENS_DATABASE__URL from its Secret).
*/}}
{{- define "ticketlens.configToml" -}}
{{- $cfg := deepCopy (.Values.config | default dict) }}
{{- $server := get $cfg "server" | default dict }}
{{- $_ := set $server "listen" (printf "0.0.0.0:%d" (int .Values.containerPort)) }}
{{- $_ = set $cfg "server" $server }}
{{- if eq .Values.database.backend "sqlite" }}
{{- $database := get $cfg "database" | default dict }}
{{- $_ = set $database "url" (printf "sqlite://%s" .Values.database.sqlite.path) }}
{{- $_ = set $cfg "database" $database }}
{{- end }}
{{- /* clones and indexes live on the data volume unless configured otherwise */}}
{{- $codeindex := get $cfg "codeindex" | default dict }}
{{- if not (hasKey $codeindex "index_dir") }}
{{- $_ = set $codeindex "index_dir" (printf "%s/index" .Values.persistence.mountPath) }}
{{- end }}
{{- $_ = set $cfg "codeindex" $codeindex }}
{{- $duplicates := get $cfg "duplicates" | default dict }}
{{- if not (hasKey $duplicates "index_dir") }}
{{- $_ = set $duplicates "index_dir" (printf "%s/tickets" .Values.persistence.mountPath) }}
{{- end }}
{{- $_ = set $cfg "duplicates" $duplicates }}
# Generated by the {{ .Chart.Name }} Helm chart from .Values.config; edit the values, not this file.
# TICKETLENS_<SECTION>__<KEY> environment variables (the Secrets) override these keys.
{{- range $section, $keys := $cfg }}

[{{ $section }}]
{{- range $key, $value := $keys }}
{{ $key }} = {{ include "ticketlens.tomlValue" $value }}
{{- end }}
{{- end }}
{{- range $repo := .Values.repositories }}
{{- if and $repo.url (regexMatch "://[^/]*@" $repo.url) }}
{{- fail (printf "repositories: the URL of %s carries credentials; the ConfigMap is not a Secret" $repo.name) }}
{{- end }}

[[repositories]]
{{- range $key, $value := $repo }}
{{- if kindIs "map" $value }}
{{- $pairs := list }}
{{- range $glob, $module := $value }}
{{- $pairs = append $pairs (printf "%s = %s" (toJson $glob) (toJson $module)) }}
{{- end }}
{{ $key }} = { {{ join ", " $pairs }} }
{{- else }}
{{ $key }} = {{ include "ticketlens.tomlValue" $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
