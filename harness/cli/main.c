/* tokbench: parse the command line, then run the command (commands.h). The only place that turns
 * error codes into an exit status. */
#include "cli.h"
#include "commands.h"
#include "history.h"
#include "record.h"

int main(int argc, char **argv)
{
    tb_opts o;
    int rc = tb_cli_parse(argc, argv, &o);
    if (rc == -1)
        return 0;
    if (rc)
        return rc;
    tb_record_on_saved(tb_history_record_saved); /* every saved record also goes into the history */
    return tb_command_named(o.cmd_name)->run(&o);
}
