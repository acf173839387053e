#ifndef RL_SCHEMA_H
#define RL_SCHEMA_H
/* Migration SQL owned by services (defined in their own files). */
extern const char CW_SCHEMA_1[];
extern const char IAM_SCHEMA_1[];
extern const char EC2_SCHEMA_1[];
extern const char CW_SCHEMA_2[];
extern const char TRAIL_SCHEMA_1[];
extern const char CFN_SCHEMA_1[];

extern const char *const store_migrations[];
extern const int store_nmigrations;
#endif
