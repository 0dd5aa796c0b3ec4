-- SMART App Launch 2.2 EHR launches (issue 12): what an EHR (POST /smart/launch, `latch smart launch`
-- or the launch simulator) opened an app with. The launch value is stored only as its SHA-256 digest;
-- it is single use: used_at is set by the one authorization that wins (UPDATE … WHERE used_at IS NULL),
-- so two nodes cannot both issue a code for it. context holds patient, encounter, fhirContext, intent,
-- need_patient_banner, smart_style_url and tenant as JSON; iss is the FHIR base the app is sent to.
CREATE TABLE smart_launches (
    launch_digest VARCHAR(200) PRIMARY KEY,
    client_id     VARCHAR(255) NOT NULL,
    iss           VARCHAR(2048) NOT NULL,
    username      VARCHAR(255),
    context       VARCHAR(100000) NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX smart_launches_expiry ON smart_launches (expires_at);

-- The launch context a user chose during a standalone launch (the patient picker), kept with the
-- authorization request in flight until the code is issued.
ALTER TABLE interactions ADD COLUMN launch_context VARCHAR(100000);
