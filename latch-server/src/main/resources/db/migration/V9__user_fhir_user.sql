-- SMART on FHIR: the FHIR resource that is the user (fhirUser claim), a relative reference such as
-- Practitioner/123 (Patient, Practitioner, PractitionerRole, RelatedPerson or Person); null for none.
ALTER TABLE users ADD COLUMN fhir_user VARCHAR(200);
