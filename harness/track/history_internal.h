/* The history's connection, shared by the files of track/ that use it (history_db.c opens it). */
#ifndef TB_HISTORY_INTERNAL_H
#define TB_HISTORY_INTERNAL_H

#include <sqlite3.h>

struct tb_history {
    sqlite3 *db;
    char path[4200];
    char dir[4096]; /* the results folder, canonical (realpath): records under it are named relative to it */
};

#endif
