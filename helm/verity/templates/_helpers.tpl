{{/* Names ------------------------------------------------------------------------------------- */}}

{{- define "verity.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "verity.fullname" -}}
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

{{- define "verity.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "verity.configName" -}}
{{- printf "%s-config" (include "verity.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "verity.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "verity.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Labels ------------------------------------------------------------------------------------ */}}

{{- define "verity.labels" -}}
helm.sh/chart: {{ include "verity.chart" . }}
{{ include "verity.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: verity
{{- end }}

{{- define "verity.selectorLabels" -}}
app.kubernetes.io/name: {{ include "verity.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Use as: include "verity.componentSelectorLabels" (dict "ctx" $ "component" "api") */}}
{{- define "verity.componentSelectorLabels" -}}
{{ include "verity.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "verity.componentLabels" -}}
{{ include "verity.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Image ------------------------------------------------------------------------------------- */}}

{{- define "verity.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Checks: fail the render rather than deploy a service that cannot start --------------------- */}}

{{- define "verity.validate" -}}
{{- if ne .Values.auth.mode "oidc" }}
{{- fail "auth.mode must be \"oidc\": development tokens (VERITY_AUTH_MODE=development) are for `verity demo` on a laptop, not a cluster" }}
{{- end }}
{{- if not .Values.auth.issuer }}
{{- fail "auth.issuer is required: the `iss` your identity provider puts in tokens" }}
{{- end }}
{{- if not .Values.auth.audience }}
{{- fail "auth.audience is required: the `aud` tokens for Verity carry" }}
{{- end }}
{{- if and (not .Values.auth.jwksUrl) (not .Values.auth.publicKey.existingSecret) }}
{{- fail "set auth.jwksUrl or auth.publicKey.existingSecret: tokens are verified against one of them" }}
{{- end }}
{{- if not .Values.database.existingSecret }}
{{- fail "database.existingSecret is required: the Secret holding DATABASE_URL" }}
{{- end }}
{{- if and .Values.migrations.enabled (not .Values.database.migration.existingSecret) }}
{{- fail "database.migration.existingSecret is required while migrations.enabled: the Secret holding MIGRATION_DATABASE_URL" }}
{{- end }}
{{- if not .Values.database.appRole }}
{{- fail "database.appRole is required: the role the migrations grant privileges to" }}
{{- end }}
{{- end }}

{{/* Pod pieces shared by the api, the worker and the migration Job ---------------------------- */}}

{{/* Environment of the long-running processes (api, worker): config from the ConfigMap, the
     service's own database URL from its Secret. */}}
{{- define "verity.runtimeEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.urlKey }}
{{- if .Values.database.replica.existingSecret }}
# A streaming standby for the lag-tolerant reads (docs/scaling.md); they fall back to DATABASE_URL.
- name: VERITY_REPLICA_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.replica.existingSecret }}
      key: {{ .Values.database.replica.urlKey }}
{{- end }}
{{- if .Values.database.loginAsAppRole }}
# DATABASE_URL already logs in as the application role: no SET ROLE on each connection.
- name: VERITY_DATABASE_ROLE
  value: ""
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "verity.jwtKeyMountPath" -}}/etc/verity/jwt{{- end }}

{{- define "verity.volumes" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- if .Values.auth.publicKey.existingSecret }}
- name: jwt-public-key
  secret:
    secretName: {{ .Values.auth.publicKey.existingSecret }}
    items:
      - key: {{ .Values.auth.publicKey.key }}
        path: public.pem
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "verity.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.auth.publicKey.existingSecret }}
- name: jwt-public-key
  mountPath: {{ include "verity.jwtKeyMountPath" . }}
  readOnly: true
{{- end }}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}
